"""ctgov."""
