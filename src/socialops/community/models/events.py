"""Events with registration and check-in, and member feedback tickets."""
