variable "name" {
  type = string
}

variable "node_type" {
  type    = string
  default = "cache.t4g.medium"
}

variable "node_count" {
  type    = number
  default = 1
}

variable "automatic_failover" {
  type    = bool
  default = false
}

variable "at_rest_encryption" {
  type    = bool
  default = true
}
