variable "environment" {
  type    = string
  default = "development"
}

variable "private_subnet_ids" {
  type    = list(string)
  default = ["subnet-0d1e2f3a4b5c6d7e8", "subnet-0f9e8d7c6b5a49382"]
}
