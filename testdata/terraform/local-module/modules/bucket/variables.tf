variable "name" {
  description = "Bucket name"
  type        = string
}

variable "versioning" {
  description = "Keep every version of every object"
  type        = bool
  default     = true
}
