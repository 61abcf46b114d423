"""Models of include/linux/*.h."""
