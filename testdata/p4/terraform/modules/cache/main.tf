resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = var.name
  description                = "Sessions and page cache"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.node_type
  num_cache_clusters         = var.node_count
  automatic_failover_enabled = var.automatic_failover
  multi_az_enabled           = var.automatic_failover
  at_rest_encryption_enabled = var.at_rest_encryption
  transit_encryption_enabled = true
  snapshot_retention_limit   = 5
}
