from .sequence_data_preprocessor import SequenceDataPreprocessor, frame_mask

__all__ = ['SequenceDataPreprocessor', 'frame_mask']
