# The access graph's fixture (tests/graph.rs): one of each edge kind.
resource "aws_s3_bucket" "data" {
  bucket = "acme-graph-data"
}

# A bucket policy: another account reads objects.
resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PartnerRead"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::444455556666:root" }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.data.arn}/*"
    }]
  })
}

resource "aws_s3_bucket" "public" {
  bucket = "acme-graph-public"
}

resource "aws_s3_bucket_policy" "public" {
  bucket = aws_s3_bucket.public.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.public.arn}/*"
    }]
  })
}

# A Lambda function's role: an inline policy on every acme-graph-* bucket, and a
# customer managed policy attached by reference.
resource "aws_iam_role" "reader" {
  name = "graph-reader"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "reader" {
  role = aws_iam_role.reader.id
  name = "read-graph"
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::acme-graph-*", "arn:aws:s3:::acme-graph-*/*"]
    }]
  })
}

resource "aws_iam_policy" "writer" {
  name = "graph-writer"
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:PutObject"
      Resource = "${aws_s3_bucket.data.arn}/incoming/*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "writer" {
  role       = aws_iam_role.reader.name
  policy_arn = aws_iam_policy.writer.arn
}

# GitHub Actions deploys with full S3 access.
resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "deploy" {
  name = "graph-deploy"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/site:ref:refs/heads/main" }
      }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "deploy" {
  role       = aws_iam_role.deploy.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3FullAccess"
}

# Compute that runs as the reader role: a Lambda function and an ECS task.
resource "aws_lambda_function" "thumbnails" {
  function_name = "graph-thumbnails"
  role          = aws_iam_role.reader.arn
  runtime       = "python3.12"
  handler       = "main.handler"
  filename      = "thumbnails.zip"
}

resource "aws_ecs_task_definition" "report" {
  family                = "graph-report"
  task_role_arn         = aws_iam_role.reader.arn
  container_definitions = "[]"
}

# An EC2 instance, through its instance profile, runs as the worker role.
resource "aws_iam_role" "worker" {
  name = "graph-worker"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  inline_policy {
    name = "write-data"
    policy = jsonencode({
      Statement = [{
        Effect   = "Allow"
        Action   = "s3:PutObject"
        Resource = "${aws_s3_bucket.data.arn}/results/*"
      }]
    })
  }
}

resource "aws_iam_instance_profile" "worker" {
  name = "graph-worker"
  role = aws_iam_role.worker.name
}

resource "aws_instance" "worker" {
  ami                  = "ami-12345678"
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.worker.name
}

# A user, through their group, reads the data bucket.
resource "aws_iam_user" "analyst" {
  name = "graph-analyst"
}

resource "aws_iam_group" "analysts" {
  name = "graph-analysts"
}

resource "aws_iam_group_membership" "analysts" {
  name  = "graph-analysts"
  group = aws_iam_group.analysts.name
  users = [aws_iam_user.analyst.name]
}

resource "aws_iam_group_policy" "analysts" {
  name  = "read-data"
  group = aws_iam_group.analysts.name
  policy = jsonencode({
    Statement = [{
      Effect   = "Allow"
      Action   = "s3:GetObject"
      Resource = "${aws_s3_bucket.data.arn}/*"
    }]
  })
}
