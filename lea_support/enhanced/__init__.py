"""Enhanced support: a school's short support plan for specific purposes, and the LA consultants
deployed on it, whose support visits (notes of visit) use its days."""
