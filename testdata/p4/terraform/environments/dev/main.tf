terraform {
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "dev/terraform.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      Environment = var.environment
    }
  }
}

resource "aws_ecs_cluster" "main" {
  name = "acme-${var.environment}"
}

# Development restores old unencrypted snapshots: the module's default stays.
module "database" {
  source = "../../modules/database"

  identifier            = "acme-${var.environment}-main"
  subnet_ids            = var.private_subnet_ids
  backup_retention_days = 0
}

module "cache" {
  source = "../../modules/cache"

  name               = "acme-${var.environment}-sessions"
  at_rest_encryption = false
}

module "api" {
  source = "../../modules/service"

  name          = "api"
  cluster_id    = aws_ecs_cluster.main.id
  cluster_name  = aws_ecs_cluster.main.name
  image         = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/api:latest"
  desired_count = 1
}

resource "aws_ebs_encryption_by_default" "this" {
  enabled = false
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 50
}

resource "aws_autoscaling_group" "runner" {
  name                = "acme-${var.environment}-runner"
  min_size            = 1
  max_size            = 1
  vpc_zone_identifier = var.private_subnet_ids

  launch_template {
    name    = "acme-runner"
    version = "$Latest"
  }
}
