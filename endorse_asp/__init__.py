"""endorse-asp: policy-as-code for infant and early childhood mental health endorsement."""

__version__ = "0.1.0"
