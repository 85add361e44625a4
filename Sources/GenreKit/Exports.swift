@_exported import GenreAudio
@_exported import GenreFeatures
