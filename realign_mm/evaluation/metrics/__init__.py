from .keystep_metric import KeyStepMetric

__all__ = ['KeyStepMetric']
