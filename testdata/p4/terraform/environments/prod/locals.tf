locals {
  name_prefix = "acme-${var.environment}"

  common_tags = {
    Environment = var.environment
    Project     = "acme-shop"
    ManagedBy   = "terraform"
  }
}
