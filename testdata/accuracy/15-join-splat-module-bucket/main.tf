variable "enabled" {
  type    = bool
  default = true
}

resource "aws_s3_bucket" "this" {
  count  = var.enabled ? 1 : 0
  bucket = "example-join"
}

locals {
  bucket_id = join("", aws_s3_bucket.this[*].id)
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = local.bucket_id
  versioning_configuration {
    status = "Suspended"
  }
}
