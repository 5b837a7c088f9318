resource "aws_s3_bucket_object" "upload" {
  bucket = "legacy-bucket"
  key    = "upload/"
  acl    = "public-read-write"
}
