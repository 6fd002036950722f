"""The demo shop (``manage.py seed_demo``): top layer, above every domain app it seeds through."""
