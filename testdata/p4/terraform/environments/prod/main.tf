resource "aws_ecs_cluster" "main" {
  name = local.name_prefix

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

module "database" {
  source = "../../modules/database"

  identifier            = "${local.name_prefix}-main"
  instance_class        = "db.r6g.large"
  subnet_ids            = var.private_subnet_ids
  storage_encrypted     = var.db_encrypted
  multi_az              = true
  backup_retention_days = 14
  tags                  = local.common_tags
}

module "cache" {
  source = "../../modules/cache"

  name               = "${local.name_prefix}-sessions"
  node_count         = 2
  automatic_failover = true
  at_rest_encryption = true
}

module "api" {
  source = "../../modules/service"

  name               = "api"
  cluster_id         = aws_ecs_cluster.main.id
  cluster_name       = aws_ecs_cluster.main.name
  image              = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/api:2.14.1"
  desired_count      = var.api_tasks
  enable_autoscaling = false
}

module "web" {
  source = "../../modules/service"

  name               = "web"
  cluster_id         = aws_ecs_cluster.main.id
  cluster_name       = aws_ecs_cluster.main.name
  image              = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/web:2.14.1"
  desired_count      = 1
  enable_autoscaling = true
  min_tasks          = 2
  max_tasks          = 8
}

# Reporting database from the public registry module.
module "reporting_db" {
  source  = "terraform-aws-modules/rds/aws"
  version = "6.10.0"

  identifier              = "${local.name_prefix}-reporting"
  engine                  = "postgres"
  engine_version          = "16.3"
  family                  = "postgres16"
  major_engine_version    = "16"
  instance_class          = "db.t4g.large"
  allocated_storage       = 50
  backup_retention_period = 0
}

module "exports_bucket" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "4.6.0"

  bucket = "${local.name_prefix}-exports"
}

module "flow_logs_bucket" {
  source  = "terraform-aws-modules/s3-bucket/aws"
  version = "4.6.0"

  bucket = "${local.name_prefix}-flow-logs"

  server_side_encryption_configuration = {
    rule = {
      apply_server_side_encryption_by_default = {
        sse_algorithm = "AES256"
      }
    }
  }

  lifecycle_rule = [
    {
      id         = "expire-flow-logs"
      enabled    = true
      expiration = { days = 365 }
    },
  ]
}
