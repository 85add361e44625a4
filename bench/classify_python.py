"""The `genre classify` job in Python, for bench/classify.sh: librosa features of 3 s windows,
a scikit-learn StandardScaler + SVC(probability=True) pipeline, mean of the windows' probabilities.

  classify_python.py train <segments.csv> <model.pkl>   fit on a table written by `genre features`
  classify_python.py classify <model.pkl> <song>...      print each song's top 3 genres
"""
import csv
import pickle
import sys
import time

import numpy as np


def train(table, model_path):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    rows = list(csv.DictReader(open(table)))
    columns = [c for c in rows[0] if c not in ("filename", "length", "label")]
    x = np.array([[float(r[c]) for c in columns] for r in rows], dtype=np.float32)
    y = [r["label"] for r in rows]
    model = make_pipeline(StandardScaler(), SVC(probability=True, random_state=0)).fit(x, y)
    pickle.dump((columns, model), open(model_path, "wb"))


def classify(model_path, songs):
    import librosa
    from gtzan57_librosa import gtzan57
    columns, model = pickle.load(open(model_path, "rb"))
    window = 3 * 22050
    for song in songs:
        y, sr = librosa.load(song, sr=22050)
        starts = range(0, max(1, len(y) - window + 1), window)
        features = [gtzan57(y[s:s + window], sr) for s in starts]
        x = np.array([[f[c] for c in columns] for f in features], dtype=np.float32)
        p = model.predict_proba(x).mean(axis=0)
        top = np.argsort(-p)[:3]
        print(song, ", ".join(f"{model.classes_[i]} {100 * p[i]:.1f}%" for i in top))


if __name__ == "__main__":
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    if sys.argv[1] == "train":
        train(sys.argv[2], sys.argv[3])
    else:
        classify(sys.argv[2], sys.argv[3:])
