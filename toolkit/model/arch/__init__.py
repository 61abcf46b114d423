"""Models of arch/*/mm/fault.c."""
