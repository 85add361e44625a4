@_exported import GenreAudio
@_exported import GenreFeatures
@_exported import GenreML
@_exported import GenreNN
@_exported import GenrePretrained
@_exported import GenreSupport
