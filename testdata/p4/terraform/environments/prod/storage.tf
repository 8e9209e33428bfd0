resource "aws_kms_key" "data" {
  description             = "Data at rest in production"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

# Customer uploads: no encryption declared anywhere.
resource "aws_s3_bucket" "uploads" {
  bucket = "${local.name_prefix}-uploads"
}

resource "aws_s3_bucket_versioning" "uploads" {
  bucket = aws_s3_bucket.uploads.id

  versioning_configuration {
    status = "Enabled"
  }
}

# Encrypted with the split resource (AWS provider 4 and later).
resource "aws_s3_bucket" "assets" {
  bucket = "${local.name_prefix}-assets"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "assets" {
  bucket = aws_s3_bucket.assets.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

# Written before the provider split the bucket resource: encryption inline.
resource "aws_s3_bucket" "invoices" {
  bucket = "${local.name_prefix}-invoices"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.data.arn
      }
    }
  }
}

# "catalog" contains "log" but is not a log bucket; its encryption names it by name.
resource "aws_s3_bucket" "catalog" {
  bucket = "${local.name_prefix}-catalog"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "catalog" {
  bucket = "acme-production-catalog"

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "eu-west-1a"
  size              = 200
  type              = "gp3"
}

resource "aws_ebs_volume" "search_data" {
  availability_zone = "eu-west-1a"
  size              = 500
  type              = "gp3"
  encrypted         = true
  kms_key_id        = aws_kms_key.data.arn

  tags = {
    Backup = "daily"
  }
}

resource "aws_efs_file_system" "shared" {
  creation_token   = "${local.name_prefix}-shared"
  performance_mode = "generalPurpose"
}

resource "aws_efs_file_system" "media" {
  creation_token = "${local.name_prefix}-media"
  encrypted      = true
  kms_key_id     = aws_kms_key.data.arn
}

resource "aws_efs_backup_policy" "media" {
  file_system_id = aws_efs_file_system.media.id

  backup_policy {
    status = "ENABLED"
  }
}

# AWS-owned key: still encrypted at rest (docs/terraform.md).
resource "aws_dynamodb_table" "sessions" {
  name         = "${local.name_prefix}-sessions"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "session_id"

  attribute {
    name = "session_id"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  server_side_encryption {
    enabled = false
  }
}

resource "aws_dynamodb_table" "orders" {
  name         = "${local.name_prefix}-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "order_id"

  attribute {
    name = "order_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.data.arn
  }

  tags = {
    Backup = "daily"
  }
}
