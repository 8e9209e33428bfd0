resource "aws_db_subnet_group" "this" {
  name       = var.identifier
  subnet_ids = var.subnet_ids
}

resource "aws_db_instance" "this" {
  identifier                  = var.identifier
  engine                      = "postgres"
  engine_version              = "16.3"
  instance_class              = var.instance_class
  allocated_storage           = 100
  max_allocated_storage       = 500
  db_subnet_group_name        = aws_db_subnet_group.this.name
  username                    = "app"
  manage_master_user_password = true
  storage_encrypted           = var.storage_encrypted
  multi_az                    = var.multi_az
  backup_retention_period     = var.backup_retention_days
  deletion_protection         = true
  tags                        = var.tags
}
