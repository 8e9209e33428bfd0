variable "name" {
  type = string
}

variable "cluster_id" {
  type = string
}

variable "cluster_name" {
  type = string
}

variable "image" {
  type = string
}

variable "desired_count" {
  type    = number
  default = 2
}

variable "enable_autoscaling" {
  type    = bool
  default = false
}

variable "min_tasks" {
  type    = number
  default = 1
}

variable "max_tasks" {
  type    = number
  default = 4
}

variable "log_retention_days" {
  type    = number
  default = 30
}
