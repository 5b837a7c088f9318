resource "aws_s3_bucket_versioning" "v" {
  versioning_configuration {
    status = "Enabled"
  }
}
