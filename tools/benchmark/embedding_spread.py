"""How spread out a model's embeddings are on the unit sphere, over every
frame of a split (realign_mm.experiments.embedding_spread): ``cone`` (mean
cosine to the mean direction; 1 = one direction) and ``spread`` (rms
distance off it). Run it on the untrained and the trained model: a loss
lowered by narrowing the cone rather than by rearranging the frames shows
as cone -> 1.

    python tools/benchmark/embedding_spread.py \\
        configs/realign/realign_mlp_captaincook4d-pe.py --split val
    python tools/benchmark/embedding_spread.py \\
        configs/realign/realign_mlp_captaincook4d-pe.py work_dirs/cc4d/iter_1000.pth
"""
import argparse

from mmengine.config import DictAction


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='omit for the weights at initialisation')
    parser.add_argument('--split', default='val')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='config overrides (dotted keys)')
    return parser.parse_args()


def main():
    args = parse_args()
    import realign_mm  # noqa: F401  (registers the modules)
    from mmaction.registry import DATASETS
    from realign_mm.apis import init_aligner
    from realign_mm.experiments import embedding_spread
    from realign_mm.utils import load_config
    cfg = load_config(args.config, args.cfg_options)
    dataset = cfg.test_dataloader.dataset
    dataset.split = args.split
    model = init_aligner(cfg, args.checkpoint)
    videos = DATASETS.build(dataset)
    out = embedding_spread(model, [videos[i] for i in range(len(videos))])
    print(f'{args.split}: {len(videos)} videos')
    print('| cone (mean cosine to the mean direction) | spread |')
    print('|---|---|')
    print(f'| {out["cone"]:.4f} | {out["spread"]:.4f} |')


if __name__ == '__main__':
    main()
