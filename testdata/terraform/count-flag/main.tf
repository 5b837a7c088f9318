# A public mirror bucket that only exists when the feature flag is on.

variable "enable_mirror" {
  description = "Create the public mirror bucket"
  type        = bool
  default     = false
}

resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-artifacts"
}

resource "aws_s3_bucket" "mirror" {
  count  = var.enable_mirror ? 1 : 0
  bucket = "acme-artifacts-mirror"
}

resource "aws_s3_bucket_acl" "mirror" {
  count  = var.enable_mirror ? 1 : 0
  bucket = aws_s3_bucket.mirror[0].id
  acl    = "public-read"
}
