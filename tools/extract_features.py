"""Write per-frame features of a video dataset (backbone + neck, or the
backbone alone) as ``<video_id>.npy`` for the feature source.

    python tools/extract_features.py configs/video/tsn_r50_cnc_synthetic-video.py \
        work_dirs/tsn/iter_3000.pth --out-dir data/synthetic_videos/features
then train on them with `data_prefix=dict(features=...)` and
`LoadFrameFeatures(fps=<eval_fps of the test pipeline>)`.
"""
import argparse

from mmengine.config import Config, DictAction


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='weights (local file); omit for random init')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--split', default=None,
                        help="dataset split to read (default: the test "
                        "loader's)")
    parser.add_argument('--backbone-only', action='store_true',
                        help='pooled backbone features instead of the neck')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        from realign_mm.utils import check_cfg_options
        check_cfg_options(cfg, args.cfg_options)
        cfg.merge_from_dict(args.cfg_options)
    from mmaction.registry import DATASETS, MODELS
    from mmaction.utils import register_all_modules
    from mmengine.runner import load_checkpoint

    from realign_mm.apis import extract_features
    register_all_modules()
    dataset_cfg = cfg.test_dataloader.dataset
    if args.split:
        dataset_cfg.split = args.split
    dataset = DATASETS.build(dataset_cfg)
    model = MODELS.build(cfg.model)
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    else:
        model.init_weights()
    count = extract_features(model, dataset, args.out_dir,
                             args.backbone_only)
    print(f'\nwrote {count} feature files to {args.out_dir}')


if __name__ == '__main__':
    main()
