resource "aws_s3_bucket" "b" {
  bucket = "example-exempt"
}

resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Statement = [{
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.b.arn, "${aws_s3_bucket.b.arn}/*"]
      Condition = { ArnNotLike = { "aws:PrincipalArn" = "arn:aws:iam::111122223333:role/admin" } }
    }]
  })
}
