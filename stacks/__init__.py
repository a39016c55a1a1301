"""Every deployable unit: one Terraform stack class per concern, built once per environment by ``main.py``."""
