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
from realign_mm.utils import load_config, model_tool_parser


def main():
    parser = model_tool_parser(__doc__)
    parser.add_argument('--split', default='val')
    args = parser.parse_args()
    from realign_mm.apis import init_aligner, split_videos
    from realign_mm.experiments import embedding_spread
    cfg = load_config(args.config, args.cfg_options)
    videos = split_videos(cfg, args.split)
    out = embedding_spread(init_aligner(cfg, args.checkpoint), videos)
    print(f'{args.split}: {len(videos)} videos')
    print('| cone (mean cosine to the mean direction) | spread |')
    print('|---|---|')
    print(f'| {out["cone"]:.4f} | {out["spread"]:.4f} |')


if __name__ == '__main__':
    main()
