"""Models of mm/*.c."""
