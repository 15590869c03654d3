"""Publish an annotated case file as a cross-linked MkDocs site."""
