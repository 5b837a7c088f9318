# A trimmed stand-in for the terraform-aws-modules/s3-bucket interface, written for
# these tests: same input names and semantics, a subset of the features.

variable "create_bucket" {
  type    = bool
  default = true
}

variable "bucket" {
  type    = string
  default = null
}

variable "acl" {
  type    = string
  default = null
}

variable "control_object_ownership" {
  type    = bool
  default = false
}

variable "object_ownership" {
  type    = string
  default = "BucketOwnerEnforced"
}

variable "block_public_acls" {
  type    = bool
  default = true
}

variable "block_public_policy" {
  type    = bool
  default = true
}

variable "ignore_public_acls" {
  type    = bool
  default = true
}

variable "restrict_public_buckets" {
  type    = bool
  default = true
}

variable "attach_public_policy" {
  type    = bool
  default = true
}

variable "versioning" {
  type    = map(string)
  default = {}
}

variable "server_side_encryption_configuration" {
  type    = any
  default = {}
}

variable "attach_deny_insecure_transport_policy" {
  type    = bool
  default = false
}

variable "logging" {
  type    = any
  default = {}
}
