# Split resources linked to the bucket by its literal name, not by reference.

resource "aws_s3_bucket_public_access_block" "media" {
  bucket                  = "acme-media-store"
  block_public_acls       = true
  ignore_public_acls      = true
  block_public_policy     = true
  restrict_public_buckets = false
}

resource "aws_s3_bucket_versioning" "media" {
  bucket = "acme-media-store"
  versioning_configuration {
    status = "Enabled"
  }
}
