# Central log bucket: S3 access logs of the other buckets land here.
resource "aws_s3_bucket" "logs" {
  bucket = "${local.name_prefix}-logs"
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = 400
    }
  }
}

resource "aws_s3_bucket_logging" "uploads" {
  bucket        = aws_s3_bucket.uploads.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/uploads/"
}

# Load balancer access logs: the lifecycle rule only expires old versions.
resource "aws_s3_bucket" "alb_logs" {
  bucket = "${local.name_prefix}-alb-logs"
}

resource "aws_s3_bucket_lifecycle_configuration" "alb_logs" {
  bucket = aws_s3_bucket.alb_logs.id

  rule {
    id     = "old-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }
}

resource "aws_lb" "public" {
  name               = "${local.name_prefix}-public"
  load_balancer_type = "application"
  subnets            = var.private_subnet_ids

  access_logs {
    bucket  = aws_s3_bucket.alb_logs.id
    prefix  = "public"
    enabled = true
  }
}

# CloudTrail writes here; the name does not say "logs".
resource "aws_s3_bucket" "audit" {
  bucket = "${local.name_prefix}-audit"
}

resource "aws_cloudtrail" "main" {
  name                          = "${local.name_prefix}-trail"
  s3_bucket_name                = aws_s3_bucket.audit.id
  include_global_service_events = true
  is_multi_region_trail         = true
  enable_log_file_validation    = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "log_buckets" {
  for_each = {
    logs     = aws_s3_bucket.logs.id
    alb_logs = aws_s3_bucket.alb_logs.id
    audit    = aws_s3_bucket.audit.id
  }

  bucket = each.value

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_cloudwatch_log_group" "app" {
  name = "/acme/${var.environment}/app"
}

resource "aws_cloudwatch_log_group" "audit" {
  name              = "/acme/${var.environment}/audit"
  retention_in_days = 0
}

resource "aws_cloudwatch_log_group" "vpc_flow" {
  name              = "/acme/${var.environment}/vpc-flow"
  retention_in_days = 30
}

resource "aws_cloudwatch_log_group" "lambda" {
  name              = "/aws/lambda/${local.name_prefix}-thumbnails"
  retention_in_days = var.lambda_log_retention
}
