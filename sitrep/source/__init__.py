"""The source stage: config.yaml and the fact store, read, validated and cached."""
