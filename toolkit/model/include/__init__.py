"""Models of the kernel headers under include/ that the VM code uses."""
