"""The public website: what its pages show (pages.py) and how they look (render.py, templates/, static/)."""
