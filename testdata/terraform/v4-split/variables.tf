variable "environment" {
  type    = string
  default = "prod"
}

variable "uploads_acl" {
  description = "Canned ACL of the uploads bucket."
  type        = string
  default     = "public-read-write"
}

locals {
  name_prefix = "acme-${var.environment}"
  versioning  = "Enabled"
}
