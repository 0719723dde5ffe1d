"""Write the embedded synthetic data (no download).

    # features + EgoProceL CSVs + splits.json (the demo's dataset)
    python tools/data/make_synthetic.py data/synthetic
    # procedure videos (mp4) + EgoProceL CSVs + splits.json
    python tools/data/make_synthetic.py data/synthetic_videos --videos
    # features synthesised on real step timelines (EgoProceL GTCC JSON)
    python tools/data/make_synthetic.py data/egoprocel_synth/features \\
        --timelines ../shared/data/annotations/egoprocel_gtcc/egoprocel.json
"""
import argparse

from realign_mm.synthetic import (features_on_gtcc_timelines,
                                  generate_dataset, generate_video_dataset)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    parser.add_argument('out_dir', help='output folder')
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument('--videos', action='store_true',
                      help='render procedure videos instead of features')
    kind.add_argument('--timelines', metavar='GTCC_JSON',
                      help='synthesise features on these real timelines')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    if args.videos:
        counts = generate_video_dataset(args.out_dir, seed=args.seed)
    elif args.timelines:
        counts = features_on_gtcc_timelines(args.timelines, args.out_dir,
                                            seed=args.seed)
    else:
        counts = generate_dataset(args.out_dir, seed=args.seed)
    print(f'{args.out_dir}: ' + ', '.join(f'{v} {k}'
                                          for k, v in counts.items()))


if __name__ == '__main__':
    main()
