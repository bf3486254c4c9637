"""Publishing into output/: its layout, the archive (fingerprints, manifest), the workspace lock."""
