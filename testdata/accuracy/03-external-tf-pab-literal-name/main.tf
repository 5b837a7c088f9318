resource "aws_s3_bucket_public_access_block" "legacy" {
  bucket                  = "legacy-reports"
  block_public_acls       = false
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = true
}
