variable "identifier" {
  description = "Name of the DB instance."
  type        = string
}

variable "instance_class" {
  type    = string
  default = "db.t4g.medium"
}

variable "subnet_ids" {
  type = list(string)
}

variable "storage_encrypted" {
  description = "Encrypt the storage. Kept false by default for the old snapshots restored in development."
  type        = bool
  default     = false
}

variable "multi_az" {
  type    = bool
  default = false
}

variable "backup_retention_days" {
  type    = number
  default = 7
}

variable "tags" {
  type    = map(string)
  default = {}
}
