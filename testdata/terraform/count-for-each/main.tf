variable "create_archive" {
  type    = bool
  default = false
}

# Never created: count evaluates to 0.
resource "aws_s3_bucket" "archive" {
  count  = var.create_archive ? 1 : 0
  bucket = "acme-archive"
}

resource "aws_s3_bucket" "logs" {
  count  = 1
  bucket = "acme-count-logs"
}

resource "aws_s3_bucket_versioning" "logs" {
  count  = 1
  bucket = aws_s3_bucket.logs[0].id
  versioning_configuration {
    status = "Disabled"
  }
}

resource "aws_s3_bucket" "regional" {
  for_each = toset(["eu", "us"])
  bucket   = "acme-regional-${each.key}"
}

resource "aws_s3_bucket_public_access_block" "regional" {
  for_each                = aws_s3_bucket.regional
  bucket                  = aws_s3_bucket.regional[each.key].id
  block_public_acls       = true
  ignore_public_acls      = false
  block_public_policy     = true
  restrict_public_buckets = true
}
