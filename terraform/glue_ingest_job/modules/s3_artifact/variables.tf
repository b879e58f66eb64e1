variable "bucket" {
  type = string
}

variable "key" {
  type = string
}

variable "source_path" {
  description = "Local file to upload."
  type        = string
}

variable "source_hash" {
  description = "Hash of the file, so that a change triggers an upload."
  type        = string
}

variable "kms_key_arn" {
  type = string
}
