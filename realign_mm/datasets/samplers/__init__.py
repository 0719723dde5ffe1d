from .same_task_pair_sampler import SameTaskPairSampler

__all__ = ['SameTaskPairSampler']
