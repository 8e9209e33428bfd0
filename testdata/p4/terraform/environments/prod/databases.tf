resource "aws_db_instance" "reporting_replica" {
  identifier          = "${local.name_prefix}-main-replica"
  replicate_source_db = module.database.db_instance_identifier
  instance_class      = "db.r6g.large"
  skip_final_snapshot = true
}

# Billing still runs on the MySQL instance migrated from the old hosting.
resource "aws_db_instance" "legacy_billing" {
  identifier                  = "${local.name_prefix}-billing"
  engine                      = "mysql"
  engine_version              = "8.0.36"
  instance_class              = "db.m6g.large"
  allocated_storage           = 200
  storage_encrypted           = true
  kms_key_id                  = aws_kms_key.data.arn
  multi_az                    = false
  backup_retention_period     = 0
  username                    = "billing"
  manage_master_user_password = true
}

resource "aws_rds_cluster" "analytics" {
  cluster_identifier          = "${local.name_prefix}-analytics"
  engine                      = "aurora-postgresql"
  engine_version              = "16.2"
  master_username             = "analytics"
  manage_master_user_password = true
  storage_encrypted           = true
  backup_retention_period     = 7
}

resource "aws_rds_cluster_instance" "analytics" {
  count              = 1
  identifier         = "${local.name_prefix}-analytics-${count.index}"
  cluster_identifier = aws_rds_cluster.analytics.id
  instance_class     = "db.r6g.large"
  engine             = aws_rds_cluster.analytics.engine
}

resource "aws_rds_cluster" "orders" {
  cluster_identifier          = "${local.name_prefix}-orders"
  engine                      = "aurora-mysql"
  master_username             = "orders"
  manage_master_user_password = true
  backup_retention_period     = 14
}

resource "aws_rds_cluster_instance" "orders" {
  count              = 2
  identifier         = "${local.name_prefix}-orders-${count.index}"
  cluster_identifier = aws_rds_cluster.orders.id
  instance_class     = "db.r6g.xlarge"
  engine             = aws_rds_cluster.orders.engine
}

resource "aws_elasticache_replication_group" "rate_limits" {
  replication_group_id       = "${local.name_prefix}-rate-limits"
  description                = "Rate-limit counters for the API"
  engine                     = "redis"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = 1
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
}
