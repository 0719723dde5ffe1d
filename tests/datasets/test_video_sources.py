"""Raw video through mmaction2's decoders on the real clips of
../shared/data/videos: sampling, timestamps, labels, context, bad input."""
import os
import os.path as osp

import numpy as np
import pytest
from mmaction.datasets.transforms import DecordDecode, PyAVDecode

from realign_mm.datasets import AnnotationError, EgoProceLDataset
from realign_mm.datasets.transforms import (PackProcedureInputs,
                                            SampleProcedureFrames, VideoInit)
from realign_mm.synthetic import write_egoprocel_csv
from realign_mm.datasets.annotations import Segment

# test.mp4: 300 frames at 30 fps (10 s); test.avi: 164 frames at 25 fps
CLIPS = {'test_mp4': ('test.mp4', 300, 30.0), 'test_avi': ('test.avi', 164,
                                                           25.0)}


@pytest.fixture
def video_root(shared_data, tmp_path):
    """An EgoProceL CSV layout over links to the real clips."""
    (tmp_path / 'videos').mkdir()
    for video, (name, _, _) in CLIPS.items():
        ext = osp.splitext(name)[1]
        ann = tmp_path / 'annotations' / video  # one task per container
        ann.mkdir(parents=True)
        os.symlink(osp.abspath(osp.join(shared_data, 'videos', name)),
                   tmp_path / 'videos' / (video + ext))
        write_egoprocel_csv(str(ann / f'{video}.csv'),
                            [Segment(1.0, 2.5, 1), Segment(4.0, 5.0, 2)])
    return tmp_path


def _dataset(root, video, ext, pipeline):
    return EgoProceLDataset(
        ann_file=str(root / 'annotations'), tasks=[video],
        data_prefix=dict(video=str(root / 'videos')), video_ext=ext,
        pipeline=pipeline)


@pytest.mark.parametrize('backend', ['decord', 'pyav'])
@pytest.mark.parametrize('video', list(CLIPS))
def test_decode_sample_and_label(video_root, backend, video):
    name, total, fps = CLIPS[video]
    ext = osp.splitext(name)[1]
    decode = DecordDecode() if backend == 'decord' else PyAVDecode()
    ds = _dataset(video_root, video, ext, [
        VideoInit(backend=backend),
        SampleProcedureFrames(num_frames=8, context=2, context_stride=3,
                              jitter=False), decode,
        PackProcedureInputs(input_key='imgs', layout='frames')
    ])
    out = ds[0]
    inputs, sample = out['inputs'], out['data_samples']
    assert tuple(inputs.shape[:3]) == (8, 3, 3)  # frames, 1 + context, RGB
    meta = sample.metainfo
    assert meta['num_video_frames'] == total
    assert meta['fps'] == pytest.approx(fps)
    # centres of 8 equal segments, each with 2 earlier context frames
    centres = np.floor((np.arange(8) + 0.5) * total / 8).astype(int)
    inds = meta['frame_inds'].reshape(8, 3)
    np.testing.assert_array_equal(inds[:, -1], centres)
    np.testing.assert_array_equal(inds[:, 0], np.maximum(centres - 6, 0))
    np.testing.assert_allclose(meta['frame_times'], centres / fps)
    # labels: the floor rule on [1.0, 2.5] s -> 1 and [4.0, 5.0] s -> 2
    expected = np.where((centres >= np.floor(1.0 * fps)) &
                        (centres <= np.floor(2.5 * fps)), 1, 0)
    expected[(centres >= np.floor(4.0 * fps)) &
             (centres <= np.floor(5.0 * fps))] = 2
    np.testing.assert_array_equal(sample.gt_frame_labels.numpy(), expected)


def test_context_frames_clamp_at_the_video_start(video_root):
    out = _dataset(video_root, 'test_mp4', '.mp4', [
        VideoInit(),
        SampleProcedureFrames(num_frames=4, context=3, context_stride=20,
                              jitter=False)
    ])[0]
    first = out['frame_inds'].reshape(4, 4)[0]  # centre 37: 0, 0, 17, 37
    np.testing.assert_array_equal(first, [0, 0, 17, 37])


def test_test_mode_takes_every_frame_at_the_eval_rate(video_root):
    out = _dataset(video_root, 'test_mp4', '.mp4', [
        VideoInit(), SampleProcedureFrames(num_frames=None, eval_fps=2.0)
    ])[0]
    assert out['num_clips'] == 20  # 10 s at 2 fps
    np.testing.assert_allclose(out['frame_times'], np.arange(20) / 2)


def test_missing_video_names_the_file(video_root):
    os.remove(video_root / 'videos' / 'test_avi.avi')
    with pytest.raises(FileNotFoundError, match='test_avi'):
        _dataset(video_root, 'test_avi', '.avi', [])


@pytest.mark.parametrize('content', [b'', b'not a video at all' * 100])
def test_corrupt_or_empty_video_names_the_file(tmp_path, content):
    path = tmp_path / 'broken.mp4'
    path.write_bytes(content)
    with pytest.raises(ValueError, match='broken.mp4'):
        VideoInit()(dict(filename=str(path)))


def test_video_shorter_than_annotated_is_an_error(video_root):
    write_egoprocel_csv(
        str(video_root / 'annotations' / 'test_mp4' / 'test_mp4.csv'),
        [Segment(8.0, 14.0, 1)])  # the clip lasts 10 s
    ds = _dataset(video_root, 'test_mp4', '.mp4',
                  [VideoInit(), SampleProcedureFrames(num_frames=4)])
    with pytest.raises(AnnotationError, match='lasts 10.00 s'):
        ds[0]


def test_fps_mismatch_is_an_error(video_root):
    ds = _dataset(video_root, 'test_mp4', '.mp4', [
        VideoInit(), SampleProcedureFrames(num_frames=4, expected_fps=25.0)
    ])
    with pytest.raises(ValueError, match='runs at 30 fps'):
        ds[0]


def test_skip_bad_videos_in_training_counts_them(video_root, tmp_path):
    """With skip_bad_videos a broken video is skipped, counted and another
    one drawn; in test mode the same video still stops with the error."""
    (video_root / 'videos' / 'test_mp4.mp4').unlink()
    (video_root / 'videos' / 'test_mp4.mp4').write_bytes(b'garbage' * 50)
    write_egoprocel_csv(
        str(video_root / 'annotations' / 'test_mp4' / 'good.csv'),
        [Segment(1.0, 2.0, 1)])
    os.symlink(osp.abspath(video_root / 'videos' / 'test_avi.avi'),
               video_root / 'videos' / 'good.mp4')  # a decodable one
    pipeline = [VideoInit(), SampleProcedureFrames(num_frames=4)]
    ds = EgoProceLDataset(
        ann_file=str(video_root / 'annotations'), tasks=['test_mp4'],
        data_prefix=dict(video=str(video_root / 'videos')),
        pipeline=pipeline, skip_bad_videos=True)
    bad = [i for i in range(len(ds))
           if ds.get_data_info(i)['video_id'] == 'test_mp4'][0]
    out = ds[bad]
    assert out['video_id'] == 'good'  # mmengine drew another video
    assert list(ds.skipped) == ['test_mp4']
    assert 'cannot be decoded' in ds.skipped['test_mp4']
    strict = EgoProceLDataset(
        ann_file=str(video_root / 'annotations'), tasks=['test_mp4'],
        data_prefix=dict(video=str(video_root / 'videos')),
        pipeline=pipeline, skip_bad_videos=True, test_mode=True)
    with pytest.raises(ValueError, match='test_mp4.mp4'):
        strict[bad]


def test_rawframes_source(shared_data, tmp_path):
    """A rawframe folder (mmaction2's img_00001.jpg naming) of part_0.mp4:
    counted, sampled at the declared rate and decoded by RawFrameDecode."""
    import cv2
    from mmaction.datasets.transforms import RawFrameDecode

    from realign_mm.datasets.transforms import RawFrameInit
    frames = tmp_path / 'frames' / 'clip'
    frames.mkdir(parents=True)
    reader = cv2.VideoCapture(osp.join(shared_data, 'videos', 'part_0.mp4'))
    count = 0
    while True:
        ok, frame = reader.read()
        if not ok:
            break
        count += 1
        cv2.imwrite(str(frames / f'img_{count:05d}.jpg'), frame)
    assert count == 32
    results = dict(frame_dir=str(frames), video_id='clip',
                   segments=[Segment(0.5, 0.8, 1)])
    for t in (RawFrameInit(fps=30.0), SampleProcedureFrames(
            num_frames=4, jitter=False), RawFrameDecode()):
        results = t(results)
    assert results['total_frames'] == 32
    np.testing.assert_array_equal(results['frame_inds'], [4, 12, 20, 28])
    np.testing.assert_array_equal(results['frame_labels'], [0, 0, 1, 0])
    assert len(results['imgs']) == 4 and results['imgs'][0].shape[2] == 3


def test_pyav_refuses_a_video_cut_after_its_header(shared_data, tmp_path):
    """A real clip remuxed with its header first (``movflags=faststart``)
    and cut in half: the header still says 32 frames, 16 are stored.
    mmaction2's PyAVDecode would wrap the missing indices round onto other
    frames; VideoInit refuses the file (decord refuses it on its own)."""
    import av
    fast = str(tmp_path / 'fast.mp4')
    with av.open(osp.join(shared_data, 'videos', 'part_0.mp4')) as inp, \
            av.open(fast, 'w', options={'movflags': 'faststart'}) as out:
        stream = out.add_stream_from_template(inp.streams.video[0])
        for packet in inp.demux(inp.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    data = open(fast, 'rb').read()
    assert data.find(b'moov') < data.find(b'mdat')  # header first
    cut = str(tmp_path / 'cut.mp4')
    with open(cut, 'wb') as f:
        f.write(data[:len(data) // 2])
    init = VideoInit(backend='pyav')
    assert init(dict(filename=fast))['total_frames'] == 32  # whole: fine
    with pytest.raises(ValueError, match=r'cut.mp4 is truncated: its header '
                       r'says 32 frames but the file holds 1[0-9]'):
        init(dict(filename=cut))
