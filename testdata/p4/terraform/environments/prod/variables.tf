variable "region" {
  description = "AWS region of the production account."
  type        = string
  default     = "eu-west-1"
}

variable "environment" {
  description = "Environment name, used in resource names and the Environment tag."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the production account (created by the network stack)."
  type        = string
  default     = "vpc-0a1b2c3d4e5f60718"
}

variable "private_subnet_ids" {
  description = "Private subnets, one per Availability Zone."
  type        = list(string)
  default     = ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88", "subnet-0cc99dd00ee11ff22"]
}

variable "db_encrypted" {
  description = "Encrypt the main database. Overridden in terraform.tfvars."
  type        = bool
  default     = false
}

variable "admin_cidrs" {
  description = "Office ranges allowed to reach the admin hosts."
  type        = list(string)
  default     = ["198.51.100.0/24"]
}

variable "api_tasks" {
  description = "Number of API tasks."
  type        = number
  default     = 1
}

variable "lambda_log_retention" {
  description = "Retention of the Lambda log groups, in days. Passed by the deployment pipeline."
  type        = number
}
