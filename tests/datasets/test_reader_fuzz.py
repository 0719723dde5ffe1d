"""Fuzz the annotation and feature readers (hypothesis): any bytes either
parse to valid segments / a feature array or raise the project's own error
naming the file; never another exception, never a hang."""
import io
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realign_mm.datasets import AnnotationError
from realign_mm.datasets.annotations import (read_captaincook4d_json,
                                             read_egoprocel_csv,
                                             read_gtcc_json, read_split_file,
                                             read_step_csv)
from realign_mm.datasets.transforms import LoadFrameFeatures

FUZZ = settings(max_examples=80, deadline=2000, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

#: raw bytes, and text shaped like the formats (the interesting cases)
_CELLS = st.one_of(
    st.sampled_from(['0', '1', '2.5', '-1', 'nan', 'inf', '1e400', '', ' ',
                     '"', '3 stir', '0 background', 'x', '\ufeff1', '1,2']),
    st.text(max_size=8))
_CSV_TEXT = st.lists(st.lists(_CELLS, max_size=5), max_size=6).map(
    lambda rows: '\n'.join(','.join(r) for r in rows))
_BYTES = st.one_of(st.binary(max_size=200),
                   _CSV_TEXT.map(lambda t: t.encode('utf-8')),
                   _CSV_TEXT.map(lambda t: t.encode('latin-1', 'replace')))
_JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 50),
              st.floats(allow_nan=False, allow_infinity=False, width=32),
              st.sampled_from(['train', 'test', 'val', 'steps', '1 stir',
                               'start_time', 'end_time', 'step_id', 'a'])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(
            ['train', 'test', 'val', 'steps', 'start_time', 'end_time',
             'step_id', 'activity_name', 'recording_id', 'description',
             'task', 'videos', 'labels', 'fps', 'start', 'end', 'a', '1_7']),
            inner, max_size=5)),
    max_leaves=12)
_JSON_BYTES = st.one_of(
    st.binary(max_size=100),
    _JSON_VALUES.map(lambda v: __import__('json').dumps(v).encode()))


def _check_segments(segments):
    for seg in segments:
        assert 0 <= seg.start <= seg.end and seg.step >= 0


def _parses_or_names_the_file(reader, path, data):
    """``reader(path)`` on ``data``: its output, or None after the
    project's error naming the file (any other exception fails)."""
    with open(path, 'wb') as f:
        f.write(data)
    try:
        return reader(path)
    except AnnotationError as err:
        assert path in str(err)
        return None


@pytest.mark.parametrize('reader', [read_egoprocel_csv, read_step_csv])
@FUZZ
@given(data=_BYTES)
def test_csv_readers(tmp_path, reader, data):
    segments = _parses_or_names_the_file(reader, str(tmp_path / 'video.csv'),
                                         data)
    _check_segments(segments or [])


@pytest.mark.parametrize('reader', [read_gtcc_json, read_captaincook4d_json,
                                    read_split_file])
@FUZZ
@given(data=_JSON_BYTES)
def test_json_readers(tmp_path, reader, data):
    out = _parses_or_names_the_file(reader,
                                    str(tmp_path / 'annotations.json'), data)
    assert out is None or isinstance(out, dict)


_ARRAYS = st.one_of(
    st.binary(max_size=300),
    st.builds(lambda shape, kind: _npy(np.zeros(shape, dtype=kind)),
              st.lists(st.integers(0, 4), max_size=3),
              st.sampled_from(['f4', 'f8', 'i4', 'U2', 'O'])),
    st.builds(lambda cut: _npy(np.ones((6, 4), 'f4'))[:cut],
              st.integers(0, 200)))


def _npy(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


@FUZZ
@given(data=_ARRAYS)
def test_feature_reader(tmp_path, data):
    path = str(tmp_path / 'video.npy')
    with open(path, 'wb') as f:
        f.write(data)
    load = LoadFrameFeatures(fps=1.0, num_frames=None)
    results = dict(feature_path=path, video_id='video', segments=[])
    try:
        out = load.transform(results)
    except ValueError as err:
        assert path in str(err)
        return
    assert np.isfinite(out['feats']).all() and out['feats'].dtype == 'f4'
    assert out['feats'].ndim == 2 and len(out['feats']) > 0
    os.remove(path)
