"""The learn stage: evaluation against reviewed labels, the dataset with lineage, retraining, the
model registry and promotion."""
