"""Models of kernel/*.c."""
